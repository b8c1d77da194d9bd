/**
 * Test setup of the packages with property and fuzz tests: fast-check draws from one fixed seed, so that a run
 * repeats exactly (a failure on CI fails the same way here). `DWCP_FC_SEED=<n>` explores another seed;
 * a failure prints the seed and the path that repeat it.
 */
import fc from 'fast-check'

fc.configureGlobal({ seed: Number(process.env.DWCP_FC_SEED ?? 20_261_208) })
