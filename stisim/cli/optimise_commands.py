"""``stisim optimise``: a thin command over :func:`stisim.optimize.api.run`, given the agent
model's business-as-usual counterfactual (:func:`stisim.coupling.bridge.optimise_allocation`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig


@command("optimise", "allocate public, private and donor finance over a roadmap portfolio "
         "(Pyomo + HiGHS)", config_name="optimise")
def optimise_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.coupling.bridge import optimise_allocation
    from stisim.io import shown, write_dataset
    from stisim.optimize.pareto import pareto_front
    from stisim.optimize.results import allocation_table
    from stisim.summary import table

    ds, model = optimise_allocation(cfg, log=print)
    written = [write_dataset(ds, run_dir / "allocation.nc")]
    if cfg.optimise.write_lp:
        model.write_lp(run_dir / "model.lp")
        written.append(run_dir / "model.lp")
    if cfg.optimise.summary:
        print(allocation_table(ds))
    if cfg.optimise.pareto.against is not None:
        front = pareto_front(model, cfg.optimise.pareto.against, cfg.optimise.pareto.points)
        front.attrs.update({k: ds.attrs[k] for k in ("config", "stisim_version", "git_commit",
                                                     "portfolio", "portfolio_sha256")})
        written.append(write_dataset(front, run_dir / "pareto.nc"))
        rows = [[str(int(p)), f"{float(a):.6g}", f"{float(b):.6g}",
                 str(int((front['pareto_scale'].sel(point=p) > 1e-9).sum()))]
                for p, a, b in zip(front["point"].values, front["pareto_primary"].values,
                                   front["pareto_secondary"].values)]
        print("\nPareto front (" + front.attrs["method"] + ")")
        print(table(rows, ["point", front.attrs["primary"], front.attrs["secondary"],
                           "funded actions"]))
    for path in written:
        print(f"wrote {shown(path)}")
    return 0
