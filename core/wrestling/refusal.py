"""Why an upload is refused, in any language: an English template and its values."""

from core.i18n import Translate, untranslated


class Refusal(ValueError):
    """A refusal: an English template (marked ``N_`` where it is written) and its values, put
    in after translation; ``str()`` is the English line."""

    def __init__(self, template: str, **values: object) -> None:
        self.template, self.values = template, values
        super().__init__(template.format(**values))

    def text(self, gettext: Translate = untranslated) -> str:
        """The reason in the language of `gettext` (English by default), on one line."""
        text = gettext(self.template).format(**self.values).strip()
        return text.splitlines()[0][:200] if text else type(self).__name__
