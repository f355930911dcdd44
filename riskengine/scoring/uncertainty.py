"""How robust scores and rankings are to the choice of weights.

The configured weights w are a judgement. We draw weight vectors from a
Dirichlet distribution centred on w (``alpha = concentration * w``; mean w,
variance ``w(1 - w) / (concentration + 1)``), rescore every offer, and report
the 5th-95th percentile of its score and of its rank among the offers of the
same commodity for the same buyer (rank 1 = lowest risk).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.scoring.scorer import RiskScorer

__all__ = ["score_intervals"]


def _draw_weights(
    weights: pd.Series, samples: int, concentration: float, rng: np.random.Generator
) -> np.ndarray:
    """Matrix (samples x indicators) of weight draws; zero weights stay zero."""
    positive = weights.to_numpy() > 0
    draws = np.zeros((samples, len(weights)))
    draws[:, positive] = rng.dirichlet(concentration * weights.to_numpy()[positive], samples)
    return draws


def _group_intervals(ind: np.ndarray, draws: np.ndarray) -> dict[str, np.ndarray]:
    scores = 100.0 * ind @ draws.T
    ranks = rankdata(scores, axis=0, method="min")
    return {
        "score_p05": np.percentile(scores, 5, axis=1),
        "score_p95": np.percentile(scores, 95, axis=1),
        "rank_p05": np.percentile(ranks, 5, axis=1),
        "rank_p95": np.percentile(ranks, 95, axis=1),
    }


def score_intervals(dataset: Dataset, config: Config | None = None) -> pd.DataFrame:
    """Score and rank intervals under weight uncertainty, per buyer and offer.

    Uses ``risk.uncertainty`` (samples, concentration, seed) of the config; the
    same seed gives the same numbers.

    Returns
    -------
    DataFrame
        ``buyer, supplier_id, commodity, risk_score, rank`` (1 = lowest risk
        among offers of the commodity), ``score_p05, score_p95`` (points),
        ``rank_p05, rank_p95``, ``offers`` (offers of the commodity) and
        ``rank_stable`` (the 90% rank interval is a single rank).
    """
    dataset, config = check_inputs("score_intervals", dataset, config, optional_config=True)
    cfg = config.risk.uncertainty
    offers = dataset.suppliers.reset_index(drop=True)
    frames = []
    for b_index, buyer in enumerate(sorted(config.buyers)):
        scorer = RiskScorer(buyer=buyer, config=config, reference=dataset).fit(offers)
        ind = scorer.indicators(offers)[scorer.weights_.index].to_numpy()
        rng = np.random.default_rng([cfg.seed, b_index])
        draws = _draw_weights(scorer.weights_, cfg.samples, cfg.concentration, rng)
        base = 100.0 * ind @ scorer.weights_.to_numpy()
        for commodity, rows in offers.groupby("commodity", sort=True).indices.items():
            part = _group_intervals(ind[rows], draws)
            frames.append(
                pd.DataFrame(
                    {
                        "buyer": buyer,
                        "supplier_id": offers["supplier_id"].to_numpy()[rows],
                        "commodity": commodity,
                        "risk_score": base[rows],
                        "rank": rankdata(base[rows], method="min"),
                        **part,
                        "offers": len(rows),
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out["rank_stable"] = out["rank_p05"] == out["rank_p95"]
    return out.sort_values(["buyer", "commodity", "rank", "supplier_id"]).reset_index(drop=True)
