"""Names for topics from a function of yours, such as a call to a local language model.

`TopicModel(namer=f)` (or `topics report --namer module:function`) calls `f(request)` once per topic with
a dict: ``level`` ("topic"), ``topic`` (its number), ``label`` (the phrase label), ``phrases`` (the label's
phrases), ``keywords`` (its top keywords), ``titles`` (three representative titles) and ``size``. `f`
returns a short name. A name must be text on one line, not empty, at most `MAX_NAME_LENGTH` characters;
otherwise (or when `f` raises) the topic keeps its phrase label and a note says why, so a flaky server
costs names, never the run. Names are shown beside the phrases, never instead of them.

`chat_namer(url, model)` makes such a function for any server with the OpenAI chat-completions API
(llama.cpp's server, Ollama, vLLM); it needs no package beyond the standard library.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Callable
from typing import Any

from topics.errors import ModelError

MAX_NAME_LENGTH = 60
Namer = Callable[[dict[str, Any]], str]


def checked_name(value: Any) -> tuple[str | None, str | None]:
    """(the name, None) when `value` is a usable name, else (None, why not)."""
    if not isinstance(value, str):
        return None, f"returned {type(value).__name__}, not text"
    name = " ".join(value.strip().strip('"“”').split()) if "\n" not in value.strip() else None
    if name is None:
        return None, "returned more than one line"
    if not name:
        return None, "returned an empty name"
    if len(name) > MAX_NAME_LENGTH:
        return None, f"returned {len(name)} characters (at most {MAX_NAME_LENGTH})"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        return None, "returned control characters"
    return name, None


def name_topics(namer: Namer, requests: list[dict[str, Any]]) -> tuple[list[str | None], list[str]]:
    """Ask `namer` for each request's name: the names (None where the phrase label stays) and notes."""
    names: list[str | None] = []
    problems: list[str] = []
    for request in requests:
        try:
            value = namer(dict(request))
        except Exception as error:  # noqa: BLE001 - a namer is the user's code or a server: keep the labels
            value, why = None, f"raised {type(error).__name__}: {str(error)[:120]}"
        else:
            value, why = checked_name(value)
        names.append(value)
        if why:
            problems.append(f"topic {request['topic']}: the namer {why}; its phrase label is kept")
    notes = problems[:5] + ([f"... and {len(problems) - 5} more topics kept their phrase label"]
                            if len(problems) > 5 else [])
    return names, notes


def load_namer(spec: str) -> Namer:
    """The function named by "module:function" (a module on the Python path, or a .py file path)."""
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise ModelError(f"--namer must be module:function (e.g. my_names:name_topic), not {spec!r}")
    try:
        if module_name.endswith(".py"):
            location = importlib.util.spec_from_file_location("topics_user_namer", module_name)
            if location is None or location.loader is None:
                raise ImportError(f"cannot load {module_name}")
            module = importlib.util.module_from_spec(location)
            location.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except (ImportError, OSError, SyntaxError) as error:
        raise ModelError(f"the namer module {module_name!r} cannot be imported: {error}") from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ModelError(f"the namer module {module_name!r} has no function {function_name!r}")
    return function


PROMPT = ("Here is a group of research papers found by topic modelling.\nKey phrases: {phrases}\n"
          "Keywords: {keywords}\nRepresentative titles:\n{titles}\n"
          "Reply with a name for the group of at most six words, nothing else.")


def chat_namer(url: str = "http://localhost:8080/v1", model: str = "local", timeout: float = 60.0,
               prompt: str = PROMPT) -> Namer:
    """A namer asking an OpenAI-compatible chat server (llama.cpp `llama-server`, Ollama at
    http://localhost:11434/v1, vLLM) for each name, at temperature 0."""
    from urllib.request import Request, urlopen

    endpoint = url.rstrip("/") + "/chat/completions"

    def namer(request: dict[str, Any]) -> str:
        text = prompt.format(phrases=", ".join(request["phrases"]), keywords=", ".join(request["keywords"]),
                             titles="\n".join(f"- {t}" for t in request["titles"]))
        body = json.dumps({"model": model, "temperature": 0, "max_tokens": 24,
                           "messages": [{"role": "user", "content": text}]}).encode()
        call = Request(endpoint, data=body, headers={"Content-Type": "application/json"})
        with urlopen(call, timeout=timeout) as response:  # noqa: S310 - the user's own server
            answer = json.load(response)
        return answer["choices"][0]["message"]["content"]

    return namer
