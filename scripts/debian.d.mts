export function ensureDebianPackages(packages: string[]): void;
