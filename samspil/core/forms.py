"""Forms render with Det Fælles Designsystem markup and accessible error messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASS = {
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.Textarea: "form-input",
    forms.CheckboxInput: "form-checkbox",
}


class DkfdsFormRenderer(TemplatesSetting):
    form_template_name = "forms/dkfds_form.html"
    field_template_name = "forms/dkfds_field.html"


class DkfdsFormMixin:
    """Adds design-system classes to every widget. Django itself marks fields with errors
    (aria-invalid) and links help text and errors (aria-describedby: ``<id>_helptext``,
    ``<id>_error``, the ids used by forms/dkfds_field.html). Nothing here validates, so a form may
    still change its fields' choices after ``__init__``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "form-radio")
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-checkbox")
                continue
            css = next((c for t, c in _WIDGET_CLASS.items() if isinstance(widget, t)), "form-input")
            widget.attrs.setdefault("class", css)
