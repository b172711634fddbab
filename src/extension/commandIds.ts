/**
 * Every command of the palette and the views, registered as the extension activates
 * (extension.ts); what each does is in commands.ts, in the engine.
 */
export const COMMANDS = [
  'aiai.init',
  'aiai.start',
  'aiai.stop',
  'aiai.openReview',
  'aiai.approve',
  'aiai.reject',
  'aiai.evaluateMyChanges',
  'aiai.editInWorkspace',
  'aiai.rollback',
  'aiai.rollbackToVersion',
  'aiai.compareWithCurrent',
  'aiai.compare',
  'aiai.compareWith',
  'aiai.setApiKey',
  'aiai.showLog',
  'aiai.refresh',
] as const;

export type CommandId = (typeof COMMANDS)[number];
