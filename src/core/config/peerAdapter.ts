import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from './config';
import type { PeerLayout } from './peerLayouts';

/** Where `aiai init` writes the adapter, relative to the workspace; under .aiai/, so always protected. */
export const PEER_ADAPTER_FILE = `${CONFIG_DIR}/adapters/peer_eval.py`;

/**
 * The adapter's arguments for the layout's evaluator on `program` (the layout's own by
 * default), seeded from `seed` when given; `stage1` runs OpenEvolve's `evaluate_stage1`.
 */
export function peerAdapterArgs(layout: PeerLayout, seed: number | undefined, options: { stage1?: boolean; program?: string } = {}): string[] {
  return [PEER_ADAPTER_FILE, layout.kind, layout.evaluator, options.program ?? layout.program, ...(options.stage1 ? ['--stage1'] : []), ...(seed === undefined ? [] : ['--seed', String(seed)])];
}

/** The eval command that runs the layout's evaluator through the adapter. */
export function peerEvalCommand(layout: PeerLayout, seed: number | undefined, stage1 = false): string {
  return ['python3', ...peerAdapterArgs(layout, seed, { stage1 })].join(' ');
}

/** Writes the adapter at PEER_ADAPTER_FILE under `root`: a workspace (`aiai init`), or an evaluation's checkout of a version that has no copy committed. */
export function writePeerAdapter(root: string): void {
  const file = path.join(root, PEER_ADAPTER_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, PEER_ADAPTER);
}

/*
 * The adapter's Python source, kept here as text so the CLI bundle and the
 * extension carry it with no file of their own to find at run time.
 */
const PEER_ADAPTER = String.raw`"""aiai's adapter for an OpenEvolve or ShinkaEvolve evaluator, written by "aiai init".

    python3 .aiai/adapters/peer_eval.py openevolve evaluator.py initial_program.py --seed 1
    python3 .aiai/adapters/peer_eval.py shinka evaluate.py initial.py --seed 1
    python3 .aiai/adapters/peer_eval.py openevolve evaluator.py initial_program.py --stage1 --seed 1

It runs the evaluator on the program as the tool would (OpenEvolve: evaluate(program_path);
ShinkaEvolve: evaluate.py --program_path ... --results_dir ...; --stage1: OpenEvolve's
evaluate_stage1(program_path), its cascade's first stage) and writes aiai's metrics
contract to $AIAI_METRICS_FILE: numbers (booleans as 0 or 1, nested names joined with ".")
become metrics; artifacts, text_feedback and every other value become the feedback a
proposer reads. An OpenEvolve evaluator that reports no combined_score gets one: the mean
of its numeric metrics, by which OpenEvolve ranks programs and checks cascade thresholds
then. ShinkaEvolve's "private" metrics, which Shinka keeps from its models, go
to this log only, and a program Shinka would judge incorrect fails the evaluation.
Without $AIAI_METRICS_FILE the metrics are printed as the last line.

When the openevolve or shinka package is not installed, the adapter stands in for what
evaluators import from it: openevolve.evaluation_result.EvaluationResult and
shinka.core.run_shinka_eval. With --seed, Python's and numpy's random generators are
seeded with that seed plus the repeat number ($AIAI_REPEAT) minus one, and $AIAI_SEED
holds it, so each seed is one fixed draw.
"""
import argparse
import importlib.util
import json
import math
import numbers
import os
import pickle
import random
import runpy
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import types
from dataclasses import dataclass, field

VALUE_CHARS = 1500


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("layout", choices=["openevolve", "shinka"])
    parser.add_argument("evaluator")
    parser.add_argument("program")
    parser.add_argument("--stage1", action="store_true", help="run OpenEvolve's evaluate_stage1")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    sys.dont_write_bytecode = True
    evaluator = os.path.abspath(args.evaluator)
    program = os.path.abspath(args.program)
    sys.path.insert(0, os.path.dirname(evaluator))
    if args.seed is not None:
        seed_everything(args.seed + int(os.environ.get("AIAI_REPEAT", "1")) - 1)
    try:
        if args.layout == "openevolve":
            payload = run_openevolve(evaluator, program, "evaluate_stage1" if args.stage1 else "evaluate")
        else:
            payload = run_shinka(evaluator, program)
    except ModuleNotFoundError as error:
        traceback.print_exc()
        peer = str(error.name).split(".")[0] in ("openevolve", "shinka")
        fail(f"no module named {error.name!r} for {sys.executable}"
             + (" (the adapter stands in only for openevolve.evaluation_result and shinka.core)" if peer else "")
             + ": install it")
    write(payload)


def seed_everything(seed):
    os.environ["AIAI_SEED"] = str(seed)
    random.seed(seed)
    if importlib.util.find_spec("numpy") is not None:
        import numpy
        numpy.random.seed(seed % 2**32)


def load_module(name, file):
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# OpenEvolve ---------------------------------------------------------------

def run_openevolve(evaluator, program, function):
    if importlib.util.find_spec("openevolve") is None:
        stand_in_for_openevolve()
    module = load_module("evaluation_module", evaluator)
    if not callable(getattr(module, function, None)):
        fail(f"{os.path.basename(evaluator)} defines no {function}(program_path)")
    result = getattr(module, function)(program)
    if isinstance(result, dict):
        return contract(with_combined_score(result), {})
    if isinstance(getattr(result, "metrics", None), dict):
        return contract(with_combined_score(result.metrics), getattr(result, "artifacts", None) or {})
    fail(f"{function}() returned {type(result).__name__}; OpenEvolve expects a dict or an EvaluationResult")


def with_combined_score(metrics):
    """OpenEvolve's fitness: combined_score, else the mean of the top-level numbers (booleans count, as in Python)."""
    if "combined_score" in metrics:
        return metrics
    values = [float(v) for v in metrics.values() if isinstance(v, numbers.Real) and math.isfinite(v)]
    return {**metrics, "combined_score": statistics.fmean(values)} if values else metrics


@dataclass
class EvaluationResult:
    """Stand-in for openevolve.evaluation_result.EvaluationResult."""

    metrics: dict
    artifacts: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, metrics):
        return cls(metrics=metrics)

    def to_dict(self):
        return self.metrics

    def has_artifacts(self):
        return bool(self.artifacts)

    def get_artifact_keys(self):
        return list(self.artifacts.keys())


def stand_in_for_openevolve():
    package = package_module("openevolve")
    result = types.ModuleType("openevolve.evaluation_result")
    EvaluationResult.__module__ = result.__name__
    result.EvaluationResult = EvaluationResult
    package.evaluation_result = result
    sys.modules[result.__name__] = result


# ShinkaEvolve -------------------------------------------------------------

def run_shinka(evaluator, program):
    if importlib.util.find_spec("shinka") is None:
        stand_in_for_shinka()
    results_dir = tempfile.mkdtemp(prefix="shinka-results-")
    try:
        argv = sys.argv
        sys.argv = [evaluator, "--program_path", program, "--results_dir", results_dir]
        try:
            runpy.run_path(evaluator, run_name="__main__")
        except SystemExit as error:
            if error.code not in (None, 0):
                raise
        finally:
            sys.argv = argv
        metrics = read_json(os.path.join(results_dir, "metrics.json"))
        if not isinstance(metrics, dict):
            fail(f"{os.path.basename(evaluator)} wrote no metrics.json object to its --results_dir")
        verdict = read_json(os.path.join(results_dir, "correct.json")) or {}
        private = metrics.pop("private", None)
        if private:
            print("private metrics (left out of the metrics and the feedback):", json.dumps(private, default=str))
        public = metrics.pop("public", None) or {}
        feedback = metrics.pop("text_feedback", None)
        for name, value in public.items():
            metrics[f"public.{name}" if name in metrics else name] = value
        if verdict.get("correct") is False:
            print(json.dumps(contract(metrics, {}, feedback)["metrics"]))
            fail(f"the evaluator judged the program incorrect: {verdict.get('error') or 'no reason given'}")
        return contract(metrics, {}, feedback)
    finally:
        shutil.rmtree(results_dir, ignore_errors=True)


def read_json(file):
    try:
        with open(file, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


SHINKA_METRICS_ON_ERROR = {
    "combined_score": 0.0,
    "execution_time_mean": 0.0,
    "execution_time_std": 0.0,
    "num_successful_runs": 0,
    "num_valid_runs": 0,
    "num_invalid_runs": 0,
    "all_validation_errors": [],
}


def run_shinka_eval(program_path, results_dir, experiment_fn_name, num_runs, get_experiment_kwargs=None,
                    aggregate_metrics_fn=None, validate_fn=None, plotting_fn=None, default_metrics_on_error=None,
                    **_ignored):
    """Stand-in for shinka.core.run_shinka_eval: the runs one after another (no early stop, no plots)."""
    correct, error, errors, results, times, valid, invalid = True, None, [], [], [], 0, 0
    try:
        module = load_module("program", program_path)
        if not hasattr(module, experiment_fn_name):
            raise AttributeError(f"Experiment function '{experiment_fn_name}' not found in {program_path}")
        experiment = getattr(module, experiment_fn_name)
        for i in range(num_runs):
            kwargs = get_experiment_kwargs(i) if get_experiment_kwargs else {"seed": i + 1}
            started = time.perf_counter()
            result = experiment(**kwargs)
            times.append(time.perf_counter() - started)
            results.append(result)
            if validate_fn:
                ok, message = validate_fn(result)
                valid, invalid = (valid + 1, invalid) if ok else (valid, invalid + 1)
                if not ok:
                    correct = False
                    if message:
                        error = error or f"Validation failed: {message}"
                        if message not in errors:
                            errors.append(message)
        metrics = aggregate_metrics_fn(results) if aggregate_metrics_fn else {"num_successful_runs": len(results)}
        metrics["execution_time_mean"] = statistics.fmean(times) if times else 0.0
        metrics["execution_time_std"] = statistics.pstdev(times) if times else 0.0
        if validate_fn:
            metrics.update(num_valid_runs=valid, num_invalid_runs=invalid, all_validation_errors=errors)
        score = metrics.get("combined_score")
        if isinstance(score, numbers.Real) and not math.isfinite(score):
            correct, error = False, error or f"combined_score is {score}"
    except Exception as failure:
        print(f"Evaluation error: {failure}")
        traceback.print_exc()
        defaults = default_metrics_on_error or {}
        metrics = {k: defaults.get(k, v) for k, v in SHINKA_METRICS_ON_ERROR.items()}
        correct, error = False, str(failure)
    if "extra_data" in metrics:
        os.makedirs(results_dir, exist_ok=True)
        with open(os.path.join(results_dir, "extra.pkl"), "wb") as handle:
            pickle.dump(metrics.pop("extra_data"), handle)
    save_json_results(results_dir, metrics, correct, error)
    return metrics, correct, error


def save_json_results(results_dir, metrics, correct, error=None, verbose=True):
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, "correct.json"), "w") as handle:
        json.dump({"correct": correct, "error": error}, handle, indent=4, default=plain)
    with open(os.path.join(results_dir, "metrics.json"), "w") as handle:
        json.dump(metrics, handle, indent=4, default=plain)


def plain(value):
    """numpy scalars and arrays, as json.dump cannot write them."""
    for convert in ("item", "tolist"):
        if hasattr(value, convert):
            return getattr(value, convert)()
    return str(value)


def stand_in_for_shinka():
    package = package_module("shinka")
    core = package_module("shinka.core")
    wrap = types.ModuleType("shinka.core.wrap_eval")
    for module in (core, wrap):
        module.run_shinka_eval = run_shinka_eval
        module.save_json_results = save_json_results
        module.load_program = lambda path: load_module("program", path)
    package.core, core.wrap_eval = core, wrap
    sys.modules[wrap.__name__] = wrap


def package_module(name):
    module = types.ModuleType(name)
    module.__path__ = []
    sys.modules[name] = module
    return module


# aiai's metrics contract --------------------------------------------------

def contract(values, artifacts, text_feedback=None):
    metrics, aside = {}, {}
    flatten(values, "", metrics, aside)
    lines = [str(text_feedback).strip()] if text_feedback else []
    lines += [f"{name}: {shown(value)}" for name, value in aside.items()]
    if artifacts:
        lines.append("artifacts:")
        lines += [f"  {name}: {shown(value)}" for name, value in artifacts.items()]
    if not metrics:
        print("\n".join(lines))
        fail("the evaluator reported no numeric metric")
    payload = {"metrics": metrics}
    if lines:
        payload["feedback"] = "\n".join(lines)
    return payload


def flatten(values, prefix, metrics, aside):
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            metrics[name] = int(value)
        elif isinstance(value, numbers.Real) and math.isfinite(value):
            metrics[name] = value.item() if hasattr(value, "item") else value
        elif isinstance(value, dict) and value:
            flatten(value, f"{name}.", metrics, aside)
        elif value not in (None, "", [], {}):
            aside[name] = value


def shown(value):
    if isinstance(value, (bytes, bytearray)):
        text = f"<{len(value)} bytes>"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, default=plain)
    return text if len(text) <= VALUE_CHARS else f"{text[:VALUE_CHARS]}... ({len(text) - VALUE_CHARS} more characters)"


def write(payload):
    if payload.get("feedback"):
        print(payload["feedback"])
    target = os.environ.get("AIAI_METRICS_FILE")
    if target:
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
    print(json.dumps(payload["metrics"]))


def fail(message):
    print(f"aiai adapter: {message}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
`;
