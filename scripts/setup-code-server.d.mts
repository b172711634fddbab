export const CODE_SERVER_VERSION: string;
export function codeServerEntry(): string;
export function setupCodeServer(): string;
