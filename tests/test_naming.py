"""Names from the user's function (topics.naming): the namer hook, its checks, and a chat server's namer."""

from __future__ import annotations

import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

import topics
from topics.errors import ModelError
from topics.naming import MAX_NAME_LENGTH, chat_namer, checked_name, load_namer


def _sample():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.datasets.load_sample_papers()


def title_namer(request: dict) -> str:
    """A deterministic namer: the first phrase, capitalised, with the topic's size."""
    return f"{request['phrases'][0].capitalize()} ({request['size']} papers)"


def test_a_namer_names_every_topic_from_its_phrases_keywords_and_titles():
    seen = []

    def namer(request):
        seen.append(request)
        return title_namer(request)

    model = topics.TopicModel(progress=False, namer=namer).fit(_sample())
    assert len(seen) == model.n_topics_
    for t, request in enumerate(seen):
        assert request["topic"] == t and request["label"] == model.topic_labels_[t]
        assert " · ".join(request["phrases"]) == model.topic_labels_[t]
        assert request["keywords"] == list(model.topic_keywords_[t])
        assert len(request["titles"]) == 3 and all(request["titles"])
        assert set(request["titles"]) <= set(model.corpus_["title"])
    assert model.topic_names_ == [title_namer(r) for r in seen]
    info = model.topic_info()
    assert info["name"].tolist() == model.topic_names_ and (info["label"] == model.topic_labels_).all()
    assert model.get_params()["namer"] is namer


@pytest.mark.parametrize(("value", "why"), [
    ("", "empty"), ("two\nlines", "more than one line"), ("x" * (MAX_NAME_LENGTH + 1), "characters"),
    (42, "int"), ("bell\x07", "control"),
])
def test_a_bad_name_keeps_the_phrase_label_with_a_note(value, why):
    name, reason = checked_name(value)
    assert name is None and why in reason
    model = topics.TopicModel(progress=False, namer=lambda request: value).fit(_sample())
    assert model.topic_names_ == [None] * model.n_topics_
    assert model.naming_notes_ and why in model.naming_notes_[0]
    assert "name" in model.topic_info().columns or model.topic_names_ == [None] * model.n_topics_


def test_a_namer_that_fails_costs_names_not_the_run():
    def broken(request):
        raise ConnectionError("server down")

    model = topics.TopicModel(progress=False, namer=broken).fit(_sample())
    assert model.topic_names_ == [None] * model.n_topics_
    assert "ConnectionError: server down" in model.naming_notes_[0]
    assert all(label for label in model.topic_labels_)


def test_names_are_trimmed_of_quotes_and_spaces():
    name = "Robot learning from demonstrations"
    assert checked_name(f'  "{name}"  ') == (name, None)


def test_load_namer_from_a_module_or_a_file(tmp_path):
    path = tmp_path / "my_names.py"
    path.write_text("def name_topic(request):\n    return 'About ' + request['phrases'][0]\n")
    namer = load_namer(f"{path}:name_topic")
    assert namer({"phrases": ["robots"]}) == "About robots"
    assert load_namer("json:dumps") is json.dumps
    for spec, message in [("nocolon", "module:function"), ("no_such_module_x:f", "cannot be imported"),
                          ("json:no_such_function", "has no function")]:
        with pytest.raises(ModelError, match=message):
            load_namer(spec)


class _ChatServer(BaseHTTPRequestHandler):
    """A real HTTP server speaking the chat-completions API: it answers with the first key phrase it is
    given, so its answers are deterministic."""

    def do_POST(self):  # noqa: N802 - the http.server name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][0]["content"]
        phrase = prompt.split("Key phrases: ")[1].split("\n")[0].split(", ")[0]
        reply = {"role": "assistant", "content": f"{phrase.title()}\n"}
        answer = json.dumps({"choices": [{"message": reply}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())
        type(self).requests.append(body)

    def log_message(self, *args):
        pass


def test_chat_namer_asks_an_openai_compatible_server():
    _ChatServer.requests = []
    server = HTTPServer(("127.0.0.1", 0), _ChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        namer = chat_namer(f"http://127.0.0.1:{server.server_port}/v1", model="test-model", timeout=10)
        model = topics.TopicModel(progress=False, namer=namer).fit(_sample())
    finally:
        server.shutdown()
    assert len(_ChatServer.requests) == model.n_topics_
    assert all(r["model"] == "test-model" and r["temperature"] == 0 for r in _ChatServer.requests)
    assert model.topic_names_ == [label.split(" · ")[0].title() for label in model.topic_labels_]
