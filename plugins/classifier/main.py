#!/usr/bin/env python3
"""Gantry example plugin "classifier" (seed 003): a small fixed-weight model.

Input (JSON object, from argv[1] when given, otherwise from stdin):
    {"features": [numbers, at least one], "model_params": {"threshold": 0.5}}

Output (one JSON line on stdout):
    {"prediction": "class_A" | "class_B", "confidence": 0..1,
     "metadata": {"model_version": "1.0.0", "features_count": n}}

The model is a logistic regression over four summary statistics of the
feature vector (so it accepts any number of features):

    mean      mean of the features
    spread    population standard deviation
    trend     least-squares slope of the features against their index
    positive  fraction of features > 0

    z = bias + w_mean*tanh(mean/4) + w_spread*tanh(spread/4)
             + w_trend*tanh(trend) + w_positive*(positive - 0.5)
    p = sigmoid(z)                          # probability of class_A

prediction is class_A when p >= threshold (model_params.threshold, default
0.5), class_B otherwise; confidence is p for class_A and 1 - p for class_B.
Features are clipped to +-1e9 first, so huge values cannot overflow.

Exit status: 0 on success, 2 on invalid input (the reason goes to stderr).
Standard library only.
"""

import json
import math
import signal
import sys

MODEL_VERSION = "1.0.0"
WEIGHTS = {"bias": -0.5, "mean": 1.2, "spread": -0.6, "trend": 0.8, "positive": 0.4}
DEFAULT_THRESHOLD = 0.5
CLIP = 1e9


class InputError(Exception):
    """The input does not follow the plugin's input schema."""


def _reject_constant(name):
    raise InputError(f"{name} is not valid JSON (numbers must be finite)")


def read_input(argv):
    if len(argv) > 1:
        raw, source = argv[1], "argv[1]"
    else:
        raw, source = sys.stdin.read(), "stdin"
    if not raw.strip():
        raise InputError(f"no input on {source}: expected a JSON object like "
                         '{"features": [1.0, 2.0]}')
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except ValueError as exc:  # json.JSONDecodeError, or an integer too long to convert
        raise InputError(f"input on {source} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"input must be a JSON object, got {type(doc).__name__}")
    return doc


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_features(doc):
    if "features" not in doc:
        raise InputError('missing required field "features" (an array of numbers)')
    features = doc["features"]
    if not isinstance(features, list):
        raise InputError('"features" must be an array of numbers')
    if not features:
        raise InputError('"features" must contain at least one number')
    values = []
    for i, item in enumerate(features):
        if not _is_number(item):
            raise InputError(f'"features"[{i}] is not a number: {json.dumps(item)}')
        try:
            value = float(item)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise InputError(f'"features"[{i}] is not a finite number')
        values.append(max(-CLIP, min(CLIP, value)))
    return values


def parse_threshold(doc):
    params = doc.get("model_params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InputError('"model_params" must be an object')
    threshold = params.get("threshold", DEFAULT_THRESHOLD)
    if not _is_number(threshold) or not 0.0 <= float(threshold) <= 1.0:
        raise InputError(f'"model_params.threshold" must be a number between 0 and 1, '
                         f"got {json.dumps(threshold)}")
    return float(threshold)


def summarize(values):
    n = len(values)
    mean = math.fsum(values) / n
    spread = math.sqrt(math.fsum((v - mean) * (v - mean) for v in values) / n)
    if n > 1:
        mid = (n - 1) / 2.0
        cov = math.fsum((i - mid) * (v - mean) for i, v in enumerate(values))
        var_i = math.fsum((i - mid) * (i - mid) for i in range(n))
        trend = cov / var_i
    else:
        trend = 0.0
    positive = sum(1 for v in values if v > 0) / n
    return {"mean": mean, "spread": spread, "trend": trend, "positive": positive}


def predict_proba(values):
    """Probability of class_A."""
    s = summarize(values)
    z = (WEIGHTS["bias"]
         + WEIGHTS["mean"] * math.tanh(s["mean"] / 4.0)
         + WEIGHTS["spread"] * math.tanh(s["spread"] / 4.0)
         + WEIGHTS["trend"] * math.tanh(s["trend"])
         + WEIGHTS["positive"] * (s["positive"] - 0.5))
    return 1.0 / (1.0 + math.exp(-z))


def classify(doc):
    values = parse_features(doc)
    threshold = parse_threshold(doc)
    p = predict_proba(values)
    if p >= threshold:
        prediction, confidence = "class_A", p
    else:
        prediction, confidence = "class_B", 1.0 - p
    return {
        "prediction": prediction,
        "confidence": round(confidence, 6),
        "metadata": {"model_version": MODEL_VERSION, "features_count": len(values)},
    }


def _terminate(signum, _frame):
    print(f"classifier: terminated by signal {signum}", file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def main(argv):
    # As PID 1 in a container, SIGTERM would otherwise be ignored.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = classify(read_input(argv))
    except InputError as exc:
        print(f"classifier: invalid input: {exc}", file=sys.stderr, flush=True)
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
