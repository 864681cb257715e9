"""The tables of docs/sdg.md section 5.3 from a ``validation.nc`` written by
``stisim validate``: the mean NRMSE per indicator and method, the best single baseline, the
model's ratio to it and its win share, for the six pilots and for the other countries
separately; the fitted parameters of each window and their change for every country.

    python tools/validation_table.py outputs/validations/<time>/validation.nc
"""

from __future__ import annotations

import sys

from stisim.io import open_dataset
from stisim.validate.params import PILOTS
from stisim.validate.scoring import parameter_table, score_table, summary

PILOT_ISO3 = {"ethiopia": "ETH", "ghana": "GHA", "india": "IND", "kenya": "KEN",
              "serbia": "SRB", "ukraine": "UKR"}


def main(path: str) -> None:
    ds = open_dataset(path)
    pilots = [PILOT_ISO3[p] for p in PILOTS if PILOT_ISO3[p] in ds["country"].values]
    others = [str(c) for c in ds["country"].values if str(c) not in pilots]
    for label, group in (("six pilots", pilots), ("other countries", others),
                         ("all countries", pilots + others)):
        if not group:
            continue
        sub = ds.sel(country=group)
        s = summary(sub)
        print(f"{label} ({', '.join(group)}): mean NRMSE per indicator over the cells with "
              "held-out data\n")
        print(score_table(sub))
        print(f"\nbest single baseline {s['best_baseline']} "
              f"({s['mean'][s['best_baseline']]:.2f}); model {s['mean']['model']:.2f}, ratio "
              f"{s['ratio']:.2f}; model lowest in {s['wins']} of {s['cells']} cells "
              f"({100 * s['win_share']:.0f} %)\n")
    print(parameter_table(ds.sel(country=pilots + others)))


if __name__ == "__main__":
    main(sys.argv[1])
