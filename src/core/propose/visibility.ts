import * as path from 'node:path';
import type { PathPolicy } from '../config/pathPolicy';

/** Names that usually hold credentials; a model never sees them, even when editable. */
const SECRET_NAMES = [/^\.env(\..*)?$/i, /\.(pem|key|p12|pfx|keystore|jks)$/i, /^id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/i, /^\.(npmrc|netrc|pypirc)$/i, /^credentials(\..*)?$/i];

/**
 * Why a model may not see a file, if it may not: only editable and context files
 * are shown, never a protected one, an eval's answers or a holdout's data, `.git/`,
 * `.aiai/`, or a likely secret.
 */
export function hiddenBecause(policy: PathPolicy, file: string): string | undefined {
  const segments = file.split('/');
  if (segments.includes('.git') || segments[0] === '.aiai') return 'aiai\'s and git\'s own files are never shown';
  if (policy.isEvalOnly(file)) return "only an eval sees it (an eval's answers, or a holdout's data)";
  if (policy.isProtected(file)) return 'the file is protected';
  if (!policy.isEditable(file) && !policy.isContext(file)) return 'the file is neither editable nor context';
  if (SECRET_NAMES.some((r) => r.test(path.posix.basename(file)))) return 'may hold secrets';
  return undefined;
}
