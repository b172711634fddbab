import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPeerLayout } from '../../src/core/config/peerLayouts';
import { peerTask } from '../../src/core/config/peerTask';
import { makeRepo } from '../helpers';

/* Where a peer gives its models the task: ShinkaEvolve's run_evo.py, each way its examples write it, and OpenEvolve's config. */

const TASK = 'You are an expert mathematician specializing in circle packing.';

test("Shinka's task_sys_msg is read as an argument, through a variable, or set on the config's key", () => {
  const forms = {
    argument: `evo_config = EvolutionConfig(task_sys_msg="${TASK}", num_generations=10)\n`,
    variable: `search_task_sys_msg = """${TASK}"""\n\nevo_config = EvolutionConfig(task_sys_msg=search_task_sys_msg)\n`,
    key: `search_task_sys_msg = """${TASK}"""\n\ndef main(config):\n    config["evo_config"]["task_sys_msg"] = search_task_sys_msg\n    if config["task_sys_msg"] == "x":\n        pass\n`,
  };
  for (const [form, source] of Object.entries(forms)) {
    assert.deepEqual(peerTask(makeRepo({ 'run_evo.py': source }), { kind: 'shinka' }), { text: TASK, from: 'task_sys_msg in run_evo.py' }, form);
  }
});

test("an OpenEvolve project without config.yaml reads its first config*.yaml (circle_packing's config_phase_1.yaml), and protects them all", () => {
  const dir = makeRepo({
    'initial_program.py': '# EVOLVE-BLOCK-START\nR = 0.3\n# EVOLVE-BLOCK-END\n',
    'evaluator.py': 'def evaluate(program_path):\n    return {"combined_score": 1.0}\n',
    'config_phase_1.yaml': `prompt:\n  system_message: |\n    ${TASK}\nevaluator:\n  cascade_thresholds: [0.4, 0.8]\n`,
    'config_phase_2.yaml': 'prompt:\n  system_message: "the second phase"\n',
  });
  const layout = detectPeerLayout(dir)!;
  assert.equal(layout.config, 'config_phase_1.yaml');
  assert.deepEqual(layout.configFiles, ['config_phase_1.yaml', 'config_phase_2.yaml']);
  assert.deepEqual(peerTask(dir, layout), { text: TASK, from: 'prompt.system_message in config_phase_1.yaml' });
});
