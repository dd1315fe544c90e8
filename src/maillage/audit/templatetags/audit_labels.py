"""Template filters that put an audit event's codes into words (audit.labels)."""

from django import template

from maillage.audit import labels

register = template.Library()

register.filter("parts_label", labels.parts_label)
register.filter("purpose_label", labels.purpose_label)
register.filter("change_label", labels.change_label)
register.filter("record_label", labels.record_label)
register.filter("event_summary", labels.event_summary)
register.filter("listed_references", labels.listed_references)
