/**
 * The model card's account of the shipped recipe and dataset size, and of the ceiling study
 * (ceiling-study.ts): why the recipe and the 60-seed dataset, and how far any learner could go with
 * these inputs. Kept as text because those runs take tens of minutes on 2 cores; the commands
 * named reproduce them.
 */
export const TRAINING_CHOICES = `**Recipe (FULL_RECIPE in models/contagion/model.ts, shipped 2026-12-05).** Multi-task: each of the
5 members is one network, a shared ReLU trunk [32, 16] and one sigmoid head per horizon, trained
jointly on the training families (Adam, learning rate 0.002, batch 256, L2 1e-4, at most 120,000
rows) for at most 30 epochs, stopped after 4 epochs in which no head's loss on the validation
(calibration) families improved; each head keeps its own best epoch (models/contagion/
multi-head.ts, train-multi-task.ts). A horizon's member averages its head's logit with the shorter
horizons' (24 h: the 24 and 6 h heads; 72 h: 72, 24 and 6 h), merged into one network; Platt on the
validation families. Chosen on the validation families of the 60-seed dataset
(VARIANTS-ROUND-2.md, AUPRC, 5 members): 24 h 0.596 against 0.560 for the one-head recipe shipped
before it (ONE_HEAD_RECIPE: one ensemble per horizon, 6 epochs) and 0.581 for that recipe with its
horizons' logits averaged; 72 h 0.894 against 0.712 (its 72 h network collapsed on the FTX family,
AUPRC 0.34) and 0.897. On the 15-seed dataset the validation families could not tell these recipes
apart (all within the 0.03 seed-to-seed spread).

**Dataset: 60 seeds per family** (1,322,678 rows, about a minute to generate), up from 15. More
runs are what let the validation families rank the recipes apart, and the test families then hold
1,588 protocol failures instead of 357. The smaller test set was a noisy judge of the forest: its
24 h test AUPRC is 0.624 on the 15-seed dataset and 0.556 on the 60-seed one, and on seed subsets of
the same test families (ceiling study below, each a forest trained on the training families) 0.531
on seeds 11-15 and 0.565 on seeds 41-60; the network's is 0.652 and 0.651 on the two datasets.
Disclosed: the round-2 study printed the test families' scores on the 60-seed dataset for every
variant before this choice was made; the choice reads the validation rows, but it was not made
blind. The same recipe trained and evaluated on the 15-seed dataset (\`npm run train -- --model
contagion --dataset train15.arrow --out DIR\`, then \`npm run eval -- --model contagion --dataset
train15.arrow --weights DIR --no-card\`):

| horizon | MLP ensemble AUROC / AUPRC | random forest | AUPRC target (forest + 0.05) |
| --- | --- | --- | --- |
| 6 h | 0.910 / 0.411 | 0.909 / 0.322 | met |
| 24 h | 0.914 / 0.652 | 0.929 / 0.624 | not met (+0.028) |
| 72 h | 0.923 / 0.866 | 0.946 / 0.871 | not met (-0.005) |
`;

export const CEILING_FINDINGS = `## How far these inputs go (ceiling study)

\`npx tsx models/contagion/ceiling-study.ts --dataset <file> --members 5\` splits the test families'
runs by seed (the first two thirds "seen") and scores every learner on the later seeds only,
trained three ways: on the training families (as shipped), on those plus the seen runs of the test
families, and on the seen test runs alone. With the test families themselves in training there is
no family shift left, so the best of those rows bounds what a learner could reach with these
inputs. AUPRC / AUROC on the unseen seeds; the last column is the gain over the forest trained on
the training families, the baseline the target is measured against.

**60-seed dataset** (the card's; seeds 1-40 seen, scored on seeds 41-60; AUPRC / AUROC):

| horizon | learner | training families | + seen test runs | seen test runs only | best gain over the forest on training families |
| --- | --- | --- | --- | --- | --- |
| 24 h | random forest | 0.565 / 0.905 | 0.603 / 0.916 | 0.619 / 0.920 | +0.054 |
| 24 h | MLP, one head per horizon (ONE_HEAD_RECIPE) | 0.618 / 0.915 | 0.695 / 0.937 | 0.667 / 0.929 | +0.130 |
| 24 h | MLP, multi-task (shipped recipe) | **0.664** / 0.924 | 0.682 / 0.934 | 0.663 / 0.928 | +0.117 |
| 72 h | random forest | 0.864 / 0.921 | 0.908 / 0.952 | 0.893 / 0.947 | +0.044 |
| 72 h | MLP, one head per horizon (ONE_HEAD_RECIPE) | 0.566 / 0.791 | 0.918 / 0.956 | 0.913 / 0.953 | +0.054 |
| 72 h | MLP, multi-task (shipped recipe) | **0.877** / 0.928 | 0.919 / 0.952 | 0.915 / 0.950 | +0.054 |

At 72 h no learner, even one trained on the test families' own earlier runs, gains more than
0.054 over the forest that never saw them: the target (+0.05) sits at that ceiling, so a model
trained without those families would have to rank them as well as one trained on them. The shipped
network gains +0.013 on these seeds. At 24 h the shipped network, never shown the test families,
is within 0.02 of the best in-family learner and +0.099 over the forest.

**15-seed dataset** (seeds 1-10 seen, scored on seeds 11-15: 30 test runs, so noisier):

| horizon | learner | training families | + seen test runs | seen test runs only | best gain over the forest on training families |
| --- | --- | --- | --- | --- | --- |
| 24 h | random forest | 0.531 / 0.904 | 0.524 / 0.907 | 0.521 / 0.917 | -0.007 |
| 24 h | MLP, one head per horizon (ONE_HEAD_RECIPE) | 0.547 / 0.870 | 0.589 / 0.920 | 0.495 / 0.913 | +0.058 |
| 24 h | MLP, multi-task (shipped recipe) | 0.571 / 0.887 | 0.588 / 0.926 | 0.484 / 0.914 | +0.056 |
| 72 h | random forest | 0.842 / 0.935 | 0.856 / 0.949 | 0.838 / 0.944 | +0.014 |
| 72 h | MLP, one head per horizon (ONE_HEAD_RECIPE) | 0.820 / 0.925 | 0.859 / 0.948 | 0.861 / 0.950 | +0.019 |
| 72 h | MLP, multi-task (shipped recipe) | 0.816 / 0.904 | 0.849 / 0.944 | 0.850 / 0.946 | +0.008 |

On this smaller set the 72 h ceiling is lower still (+0.019): with a third of the runs to learn
from, seeing the test families buys almost nothing at 72 h.
`;
