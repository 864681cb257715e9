"""``stisim influence``: influence scores of an SDG cross-impact matrix (stisim.sdg)."""

from __future__ import annotations

from stisim.cli.dispatch import command, simple_parser


@command("influence", "first- and second-order influence scores of a cross-impact matrix "
         "(Weitz et al. 2018 by default)")
def influence_command(argv: list[str]) -> int:
    from stisim.sdg.matrices import influence_scores, load_cross_impact, to_goal_matrix, weitz2018
    from stisim.summary import table

    parser = simple_parser(
        "influence", "Rank the rows of a cross-impact matrix (row influences column, Nilsson "
        "scale -3..+3) by first-order (row sum) plus second-order influence "
        "(0.5 * sum_j a_ij * rowsum_j), as in Weitz et al. (2018).")
    parser.add_argument("--matrix", help="CSV file (labels in the first column and header); "
                        "default: the shipped Weitz et al. 2018 Sweden matrix")
    parser.add_argument("--goals", action="store_true",
                        help="aggregate targets to goals first (mean over target pairs, /3)")
    parser.add_argument("--top", type=int, default=10, help="rows to show (default 10)")
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f"argument --top: must be at least 1 (got {args.top})")
    matrix = load_cross_impact(args.matrix) if args.matrix else weitz2018()
    if args.goals:
        matrix = to_goal_matrix(matrix)
        matrix.index = [f"SDG {g}" for g in matrix.index]
        matrix.columns = list(matrix.index)
    scores = influence_scores(matrix)
    rows = [[str(int(r["rank"])), label, f"{r.first_order:g}", f"{r.positive:g}", f"{r.negative:g}",
             f"{r.second_order:g}", f"{r.total:g}"]
            for label, r in scores.head(args.top).iterrows()]
    print(f"{args.matrix or 'Weitz et al. (2018), Sweden, 34 targets'}"
          f"{' (aggregated to goals)' if args.goals else ''}")
    print(table(rows, ["rank", "label", "first order", "positive", "negative", "second order",
                       "total"]))
    return 0
