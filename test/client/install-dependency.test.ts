import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installCommandLine } from '../../client/src/installDependency';

describe('installCommandLine', () => {
  it('runs npm install for the packages in the given folder', () => {
    assert.deepEqual(installCommandLine({ cwd: '/work/svc', packages: ['p-limit'] }), { cwd: '/work/svc', commandLine: 'npm install p-limit' });
    assert.deepEqual(installCommandLine({ cwd: 'C:\\svc', packages: ['p-map', '@scope/x'] }), { cwd: 'C:\\svc', commandLine: 'npm install p-map @scope/x' });
  });

  it('refuses names npm would reject (and shell syntax), relative folders and missing packages', () => {
    for (const bad of [
      { cwd: '/svc', packages: ['p-limit; rm -rf ~'] },
      { cwd: '/svc', packages: ['P-Limit'] },
      { cwd: 'svc', packages: ['p-limit'] },
      { cwd: '/svc', packages: [] },
      { cwd: '/svc' },
      null,
      'p-limit',
    ]) {
      assert.equal(installCommandLine(bad), undefined, JSON.stringify(bad));
    }
  });
});
