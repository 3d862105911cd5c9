/**
 * The model card's record of recipe variants tried for the 24 h and 72 h targets (issue 12),
 * measured by variant-study.ts and horizon-combining.ts on the dataset the card names. Kept as
 * text here because those runs take tens of minutes on 2 cores; rerun the commands to check.
 */
export const VARIANTS_TRIED = `## Variants tried for the 24 h and 72 h targets

The first round (one-head recipe, 15-seed dataset; "shipped recipe" below is ONE_HEAD_RECIPE, shipped until 2026-12-05):

\`npx tsx models/contagion/variant-study.ts --dataset <file> --members 2\` trains each variant
(2 members, the shipped recipe otherwise, mean logit) and scores the validation families, which
decide, and the test families, shown for the record (measured with this script's scratch
predecessor, same code path; the committed script reproduces its 5-member shipped rows below to
the third decimal). The random forest is the evaluation's
baseline (4,000 training rows, the dataset's 42 inputs; with the trend inputs added it scored
24 h 0.599 / 0.612 and 72 h 0.863 / 0.844 AUPRC, validation / test).

| variant | 24 h validation AUPRC / AUROC | 24 h test | 72 h validation | 72 h test |
| --- | --- | --- | --- | --- |
| shipped recipe | 0.680 / 0.934 | 0.606 / 0.906 | 0.928 / 0.971 | 0.848 / 0.935 |
| trends: 6 h and 24 h changes of 14 inputs over the protocol's own past hours | 0.679 / 0.937 | 0.567 / 0.893 | 0.894 / 0.954 | 0.557 / 0.810 |
| class weighting (positives x3) | 0.679 / 0.934 | 0.617 / 0.898 | 0.870 / 0.945 | 0.767 / 0.899 |
| market_* inputs also ignored | 0.629 / 0.905 | 0.592 / 0.896 | 0.925 / 0.968 | 0.790 / 0.905 |
| system_* inputs also ignored | 0.642 / 0.903 | 0.529 / 0.921 | 0.840 / 0.925 | 0.767 / 0.908 |
| exposed_* inputs also ignored | 0.633 / 0.918 | 0.604 / 0.898 | 0.918 / 0.965 | 0.792 / 0.901 |
| random forest (baseline) | 0.633 / 0.946 | 0.624 / 0.930 | 0.887 / 0.951 | 0.869 / 0.947 |

Using the three horizons together (\`variant-study.ts --variant shipped --horizons 6,24,72
--members 5 --dump DIR\`, then \`horizon-combining.ts --dataset <file> --dump DIR\`; 5 members,
the shipped weights' seeds):

| horizon | one head (shipped) | p6 <= p24 <= p72 (max over shorter horizons) | mean of the horizons' logits |
| --- | --- | --- | --- |
| 24 h validation | 0.684 / 0.939 | 0.685 / 0.941 | 0.697 / 0.945 |
| 24 h test | 0.637 / 0.906 | 0.639 / 0.907 | 0.658 / 0.910 |
| 72 h validation | 0.929 / 0.971 | 0.929 / 0.971 | 0.927 / 0.965 |
| 72 h test | 0.851 / 0.939 | 0.851 / 0.939 | 0.874 / 0.932 |

None closes the gap: the 24 h target needs 0.674 on the test families (forest 0.624 + 0.05) and
the 72 h one 0.919 (0.869 + 0.05). (These rows used the forest on 4,000 rows. The evaluation's
forest now grows each of its 100 trees on its own 1,200-row subsample of 60,000 rows, so it sees
fifteen times the data at the same cost: test AUPRC 24 h 0.622, 72 h 0.875, so the targets are now
0.672 and 0.925. The smaller forest was not what held the comparison back.) Trends over the protocol's past hours rank the validation
families no better and the test families worse (72 h, per family: stETH 0.599 -> 0.416 and
slow-bleed 0.753 -> 0.584, the others about level; the pooled drop is larger, so the families'
scores also drift apart in scale). The mean of the horizon logits is the one change the
validation families favour at 24 h (+0.013); it would bring the 24 h test AUPRC to 0.658, still
0.016 short, and needs a joint Platt fit and a three-ensemble detector, so it is not shipped. The
monotone constraint changes almost nothing: the heads already agree on order.

A second round (models/contagion/VARIANTS-ROUND-2.md, same script with \`--seed\`): a multi-task
network (one trunk, 6/24/72 h heads, models/contagion/multi-head.ts) with early stopping on the
validation families, label smoothing, focal loss, family bagging, same-hour peer inputs, input
clipping and a 60-seed dataset. On this dataset no variant beats the shipped recipe on the
validation families by more than the seed-to-seed spread (about 0.03 AUPRC); peer inputs are worse.
On 60 seeds the single-head 72 h net collapses on the FTX validation family (AUPRC 0.34) and the
multi-task net with early stopping does not (0.98); no variant reaches the 72 h target there either.
That multi-task network with the horizons' logits averaged is the recipe shipped since (Training).
`;
