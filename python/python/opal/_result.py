"""Result objects: a dict whose keys are also attributes, like scipy's OptimizeResult."""


class Result(dict):
    """A solver result: ``r.objective`` and ``r["objective"]`` are the same field."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for k, v in self.items():
            text = repr(v)
            if len(text) > 200:
                text = text[:197] + "..."
            lines.append(f"{k.rjust(width)}: {text}")
        return "\n".join(lines)
