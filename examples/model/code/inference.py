"""Inference handlers for the SageMaker PyTorch serving container.

A deliberately tiny text classifier: `model.json` (beside `code/` in the
archive, so in /opt/ml/model) holds a weight per word; a text's score is the
sum of its words' weights, and it is "positive" above the threshold. Replace
this directory with your own model: the container calls `model_fn` once, then
`input_fn`, `predict_fn` and `output_fn` for each request.
"""

import json
import os


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as weights:
        return json.load(weights)


def input_fn(body, content_type="application/json"):
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}")
    return json.loads(body)["text"]


def predict_fn(text, model):
    words = text.lower().split()
    score = sum(model["weights"].get(word, 0.0) for word in words)
    label = "positive" if score > model["threshold"] else "negative"
    return {"label": label, "score": score}


def output_fn(prediction, accept="application/json"):
    return json.dumps(prediction), "application/json"
