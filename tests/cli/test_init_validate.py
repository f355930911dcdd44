"""``riskengine init`` and ``riskengine validate`` end to end, plus exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from riskengine import load_config, load_dataset


def test_init_scaffolds_a_working_folder(tmp_path, run_cli):
    target = tmp_path / "work"
    code, out, err = run_cli("init", str(target))
    assert code == 0, err
    assert f"cd {target}" in out and "riskengine validate " in out
    config = load_config(target / "config.yaml")
    assert config.name == "work"  # named after its folder
    assert config.data.dir == target / "data"
    assert len(load_dataset(config.data.dir).suppliers) >= 40
    code, out, _ = run_cli("validate", "--config", str(target / "config.yaml"))
    assert code == 0 and "are valid" in out


def test_init_folder_config_is_found_without_config_flag(tmp_path, run_cli, monkeypatch):
    target = tmp_path / "eu magnets"  # a name YAML must quote
    assert run_cli("init", str(target))[0] == 0
    assert load_config(target / "config.yaml").name == "eu magnets"
    monkeypatch.chdir(target)
    code, out, err = run_cli("validate", "--format", "json")
    assert code == 0, err
    assert "note: configuration ./config.yaml (config.yaml)" in err
    assert json.loads(out)["config"] == "eu magnets"


def test_outside_a_project_the_shipped_default_is_named(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("validate")
    assert code == 0, err
    assert "note: configuration the shipped default (" in err


def test_config_takes_several_files_after_one_flag(tmp_path):
    from riskengine.cli import build_parser

    files = [tmp_path / f"{n}.yaml" for n in ("a", "b", "c")]
    args = build_parser().parse_args(
        ["report", "--config", str(files[0]), str(files[1]), "--config", str(files[2])]
    )
    assert args.configs == files


def test_a_single_config_command_refuses_several_with_a_hint(run_cli):
    code, _, err = run_cli("score", "--config", "a.yaml", "b.yaml")
    assert code == 2
    assert "--config a.yaml b.yaml: this command reads one configuration, got 2" in err
    assert "riskengine report --config a.yaml b.yaml" in err


def test_init_refuses_a_non_empty_folder(tmp_path, run_cli):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli("init", str(tmp_path))
    assert code == 2
    assert f"{tmp_path}: already exists and is not an empty folder" in err
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_validate_on_shipped_data_prints_summary(run_cli):
    code, out, _ = run_cli("validate")
    assert code == 0
    assert "ex-China share" in out and "dysprosium" in out


def test_validate_json_is_one_document(run_cli):
    code, out, _ = run_cli("validate", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["status"] == "ok" and document["rows"]["commodities"] == 7


def test_bad_arguments_exit_2_without_traceback(run_cli):
    code, _, err = run_cli("validate", "--format", "yaml")
    assert code == 2
    assert "invalid choice: 'yaml'" in err and "Traceback" not in err


def test_module_entry_point_and_version():
    done = subprocess.run(
        [sys.executable, "-m", "riskengine", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("riskengine ")


def test_internal_error_exits_1_with_a_short_message(monkeypatch, run_cli):
    import riskengine.cli.validate as command

    def broken(args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(command, "load_inputs", broken)
    code, _, err = run_cli("validate")
    assert code == 1
    assert err.startswith("internal error: RuntimeError: disk on fire")
    assert "Traceback" not in err
