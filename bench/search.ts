// `npm run bench:search`: the parameter search's benchmark alone; rewrites its section of BENCHMARKS.md.
import * as path from 'node:path';
import { ROOT } from '../test/helpers';
import { SEARCH_HEADING, writeSection } from './benchmarksFile';
import { searchSection } from './searchBench';

void searchSection().then((section) => writeSection(path.join(ROOT, 'BENCHMARKS.md'), SEARCH_HEADING, section));
