"""Schemathesis hooks for Gantry's API contract tests (Tests/GantryIntegrationTests/APIContractTests).

A few request fields are valid only if they name something real, which no JSON Schema can say: an
SSH public key (its base64 must decode to a key), a catalog image (it must exist) and a plugin's
JSON Schema document (it must itself be a valid schema). openapi.yaml marks them with formats
(`ssh-public-key`, `catalog-image`, `json-schema`); for positive test cases this hook swaps the
generated value for a real one, so "schema-valid" means valid. Negative cases are left alone: their
point is to be refused. The test passes the real values in:
  GANTRY_SCHEMATHESIS_SSH_KEYS  public keys, one per line, made fresh by the test
  GANTRY_SCHEMATHESIS_IMAGES    catalog image names, comma-separated (whose images are local)
  GANTRY_SCHEMATHESIS_SESSION_IMAGES  what sessions may start, comma-separated: a session's
                                container starts on the request, so its image must be local
"""

import os
import random

import schemathesis
from schemathesis import GenerationMode

_KEYS = [line for line in os.environ.get("GANTRY_SCHEMATHESIS_SSH_KEYS", "").splitlines() if line.strip()]
_IMAGES = [name for name in os.environ.get("GANTRY_SCHEMATHESIS_IMAGES", "").split(",") if name]
_SESSION_IMAGES = [name for name in os.environ.get("GANTRY_SCHEMATHESIS_SESSION_IMAGES", "").split(",") if name]
# Every one of them accepts _INPUT, the input positive job submissions send.
_SCHEMAS = [
    {"type": "object"},
    {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}, "required": ["n"]},
    {"type": "object", "maxProperties": 3},
    True,
]
_INPUT = {"n": 1}

# Which body fields of which operations hold such values.
_FIELDS = {
    ("POST", "/api/v1/users/me/ssh-keys"): {"public_key": _KEYS},
    ("POST", "/api/v1/instances"): {"image": _IMAGES},
    ("POST", "/api/v1/sessions"): {"image": _SESSION_IMAGES},
    ("POST", "/api/v1/plugins"): {"input_schema": _SCHEMAS, "output_schema": _SCHEMAS},
    ("PUT", "/api/v1/plugins/{name}"): {"input_schema": _SCHEMAS, "output_schema": _SCHEMAS},
    ("POST", "/api/v1/jobs"): {"input_data": [_INPUT]},
}


@schemathesis.hook
def map_case(context, case):
    fields = _FIELDS.get((case.operation.method.upper(), case.operation.path))
    meta = case.meta
    negative = meta is not None and meta.generation.mode == GenerationMode.NEGATIVE
    if not fields or negative or not isinstance(case.body, dict):
        return case
    for field, choices in fields.items():
        if field in case.body and choices:
            case.body[field] = random.Random(repr(case.body.get(field))).choice(choices)
    return case
