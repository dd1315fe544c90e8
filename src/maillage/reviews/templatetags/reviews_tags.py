from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def highlighted(text: str, findings) -> str:
    """The text with each finding marked. The kind is also said in words, in brackets, so
    that the meaning is not carried by the colour alone."""
    parts, position = [], 0
    for finding in findings:
        parts.append(conditional_escape(text[position : finding.start]))
        parts.append(
            format_html(
                '<mark class="finding">{}</mark> <span class="finding-kind">[{}]</span>',
                text[finding.start : finding.end],
                finding.label,
            )
        )
        position = finding.end
    parts.append(conditional_escape(text[position:]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every part is escaped


@register.filter
def is_overdue(action, today):
    return action.is_overdue(today)
