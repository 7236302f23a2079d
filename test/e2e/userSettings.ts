/**
 * User settings for every test instance of VS Code, code-server or Electron (../shared/recipes/real-editor.md
 * explains why): no trust prompt or walkthrough, no telemetry or updates, and TypeScript's own validation off
 * so Problems shows only LoopLens's diagnostics.
 */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'typescript.validate.enable': false,
  'javascript.validate.enable': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
};
