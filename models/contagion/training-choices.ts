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
the same test families (ceiling study below, each a forest trained on the training families) 0.530
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

CEILING_TABLES
`;
