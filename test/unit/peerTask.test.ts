import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerTask } from '../../src/core/config/peerTask';
import { makeRepo } from '../helpers';

/* Where ShinkaEvolve's run_evo.py gives its models the task: each way its examples write it. */

const TASK = 'You are an expert mathematician specializing in circle packing.';

test("Shinka's task_sys_msg is read as an argument, through a variable, or set on the config's key", () => {
  const forms = {
    argument: `evo_config = EvolutionConfig(task_sys_msg="${TASK}", num_generations=10)\n`,
    variable: `search_task_sys_msg = """${TASK}"""\n\nevo_config = EvolutionConfig(task_sys_msg=search_task_sys_msg)\n`,
    key: `search_task_sys_msg = """${TASK}"""\n\ndef main(config):\n    config["evo_config"]["task_sys_msg"] = search_task_sys_msg\n    if config["task_sys_msg"] == "x":\n        pass\n`,
  };
  for (const [form, source] of Object.entries(forms)) {
    assert.deepEqual(peerTask(makeRepo({ 'run_evo.py': source }), 'shinka'), { text: TASK, from: 'task_sys_msg in run_evo.py' }, form);
  }
});
