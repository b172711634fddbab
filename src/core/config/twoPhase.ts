import picomatch from 'picomatch';

/*
 * A two-phase eval keeps the candidate's code away from its grader: the grade
 * command and the answers must be files no proposal can change. Globs cannot be
 * compared in general, so each is tried on paths made from the other; the files a
 * version holds are checked once a run knows them (`editableAnswers`).
 */

export interface PhasedEval {
  name: string;
  grade?: string;
  answers: string[];
}

export interface TwoPhaseProblem {
  /** Where it stands under the eval: ["grade"], ["answers", j]. */
  location: Array<string | number>;
  message: string;
}

/** A test of whether a workspace path matches any of `globs`. */
export function matcher(globs: string[]): (file: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch(globs, { dot: true });
  return (file) => match(file);
}

/** What is wrong with an eval's grade and answers against the editable globs. */
export function twoPhaseProblems(spec: PhasedEval, editable: string[]): TwoPhaseProblem[] {
  const problems: TwoPhaseProblem[] = [];
  const isEditable = matcher(editable);
  if (spec.grade === undefined) {
    if (spec.answers.length > 0) problems.push({ location: ['answers'], message: `eval "${spec.name}": "answers" are the files only a grader sees, and this eval has no "grade" command` });
    return problems;
  }
  const named = commandPaths(spec.grade).filter(isEditable);
  if (named.length > 0) {
    problems.push({
      location: ['grade'],
      message: `eval "${spec.name}": the grade command runs ${named.map((p) => `"${p}"`).join(', ')}, which a proposal may change (editable); a grader must be a file no candidate can edit`,
    });
  }
  spec.answers.forEach((glob, j) => {
    const overlap = samplePaths(glob).find(isEditable) ?? editable.flatMap(samplePaths).find(matcher([glob]));
    if (overlap !== undefined) {
      problems.push({ location: ['answers', j], message: `eval "${spec.name}": answers "${glob}" match editable files (${overlap}); a candidate could change what it is graded against` });
    }
  });
  return problems;
}

/** The files of `files` that are both editable and an answer of `spec`. */
export function editableAnswers(spec: PhasedEval, editable: string[], files: string[]): string[] {
  if (spec.answers.length === 0) return [];
  const isAnswer = matcher(spec.answers);
  const isEditable = matcher(editable);
  return files.filter((f) => isAnswer(f) && isEditable(f));
}

/**
 * The workspace paths a command names: its words that look like relative paths
 * (a slash, or a file name with an extension), and the module of `python -m`.
 */
export function commandPaths(command: string): string[] {
  const words = command.split(/[\s;|&()<>]+/).map((w) => w.replace(/^['"]|['"]$/g, '').replace(/^--?[\w-]+=/, ''));
  const paths = new Set<string>();
  words.forEach((word, i) => {
    if (words[i - 1] === '-m' && /^[\w.]+$/.test(word)) {
      const module = word.replace(/\./g, '/');
      paths.add(`${module}.py`);
      paths.add(`${module}/__init__.py`);
      paths.add(`${module}/__main__.py`);
      return;
    }
    if (word === '' || word.startsWith('-') || word.startsWith('/') || word.startsWith('$') || word.includes('://')) return;
    if (word.includes('/') || /^[\w-]+\.\w+$/.test(word)) paths.add(word.replace(/^(\.\/)+/, ''));
  });
  return [...paths];
}

/** Paths a glob matches, made by putting a name where it has a wildcard: enough to find an overlap with another glob in practice. */
function samplePaths(glob: string): string[] {
  const base = glob.replace(/^(\.\/)+/, '');
  const forms = [base.replace(/\/\*\*\//g, '/').replace(/^\*\*\//, '').replace(/\/\*\*$/, '/sample'), base.replace(/\*\*/g, 'sample')];
  return [...new Set(forms.map((f) => f.replace(/\{([^,}]*)[^}]*\}/g, '$1').replace(/\[[^\]]*\]/g, 'a').replace(/\?/g, 'a').replace(/\*/g, 'sample')))];
}
