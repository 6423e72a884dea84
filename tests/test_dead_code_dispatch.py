"""KW102 on code reached by name (issue 14): a method looked up with `getattr` and called at once gets
the object it was looked up on as `self`, so what it calls on `self` reaches the subclass's
overrides; methods a class looks up by a computed name are alive when the project spells the name
in a string."""

from __future__ import annotations

from projects import check_json, make_project

CONFIG = """[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
"""

VISITOR = {
    "app/__init__.py": "",
    "app/visit.py": '''
        class Visitor:
            def dispatch_visit(self, node):
                return getattr(self, "visit_" + node.kind, self.unknown)(node)

            def dispatch_departure(self, node):
                return getattr(self, "depart_" + node.kind)(node)

            def unknown(self, node):
                return None


        class Base(Visitor):
            def visit_title(self, node):
                return self.title_tags(node)

            def depart_title(self, node):
                return self.closing(node)

            def title_tags(self, node):
                return "h1"

            def closing(self, node):
                return "/h1"


        class Html5(Base):
            def title_tags(self, node):
                return "h2"

            def closing(self, node):
                return "/h2"

            def never(self):
                return 0
    ''',
    "app/main.py": '''
        from app.visit import Base, Html5


        def main(node):
            Base().visit_title(node)  # binds self in visit_title: the getattr calls must bind it too
            Base().depart_title(node)
            writer = Html5()
            writer.dispatch_visit(node)
            writer.dispatch_departure(node)
    ''',
}


def _dead(root) -> dict[str, int]:
    _, report, err = check_json(root, "--select", "KW102")
    assert not err
    return {f["symbol"]: f["properties"]["confidence"] for f in report["findings"]}


def test_a_method_looked_up_by_getattr_is_called_on_the_object_it_was_taken_from(tmp_path):
    root = make_project(tmp_path / "app", VISITOR, CONFIG)
    assert _dead(root) == {"app.visit.Html5.never": 100}


STATES = {
    "app/__init__.py": "",
    "app/states.py": '''
        class State:
            initial_transitions = ()

            def __init__(self):
                self.transitions = {}
                for entry in self.initial_transitions:  # a name, or (name, next state)
                    if isinstance(entry, str):
                        self.transitions[entry] = self.make_transition(entry)
                    else:
                        self.transitions[entry[0]] = self.make_transition(*entry)

            def make_transition(self, name, next_state=None):
                return getattr(self, name), next_state

            def run(self, line):
                for method, _ in self.transitions.values():
                    method(line)


        class Body(State):
            initial_transitions = ("bullet", ("text", "Body"))

            def bullet(self, line):
                return self.marker(line)

            def text(self, line):
                return line

            def marker(self, line):
                return line[:1]

            def unused(self, line):
                return "bullet"
    ''',
    "app/main.py": '''
        from app.states import Body


        def main(line):
            Body().run(line)
    ''',
}


def test_methods_looked_up_by_a_computed_name_are_alive_when_a_string_names_them(tmp_path):
    root = make_project(tmp_path / "app", STATES, CONFIG)
    assert _dead(root) == {"app.states.Body.unused": 100}


UNTYPED = {
    "app/__init__.py": "",
    "app/lines.py": '''
        class Lines:
            def __init__(self, items):
                self.items = items

            def append(self, item):
                self.items.append(item)

            def trim_end(self, n=1):
                del self.items[-n:]

            def never_called(self):
                return 0


        def load(text):
            return Lines(text.splitlines())
    ''',
    "app/main.py": '''
        from app.lines import load


        def main(block):
            load("a\\nb").append("c")
            block.trim_end()  # the graph cannot type block: a live class's trim_end may run
    ''',
}


def test_a_method_of_a_live_class_called_on_a_value_the_graph_cannot_type_is_alive(tmp_path):
    root = make_project(tmp_path / "app", UNTYPED, CONFIG)
    assert _dead(root) == {"app.lines.Lines.never_called": 100}


def test_an_override_in_a_live_class_of_a_live_method_is_alive(tmp_path):
    files = dict(VISITOR)
    files["app/visit.py"] = VISITOR["app/visit.py"].replace(
        '''                return getattr(self, "visit_" + node.kind, self.unknown)(node)''',
        '''                method = getattr(self, "visit_" + node.kind, self.unknown)
                return method(node)''')
    root = make_project(tmp_path / "app", files, CONFIG)
    assert _dead(root) == {"app.visit.Html5.never": 100}
