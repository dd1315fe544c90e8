"""Types shared by the API schemas of several apps."""

from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from maillage.core.deidentification import MAX_TEXT_LENGTH, check_lengths


def _at_most_max_text_length(value):
    # Checked here rather than by max_length, so that the 422 answer says it in the reader's
    # language (the request's), with the same words as the pages.
    if isinstance(value, str):
        try:
            check_lengths({"text": value})
        except ValidationError as error:
            message = error.message_dict["text"][0]
            raise PydanticCustomError(
                "string_too_long", message, {"max_length": MAX_TEXT_LENGTH}
            ) from None
    return value


# Free text that goes through the de-identification guard. The OpenAPI document shows the
# limit as maxLength.
GuardedText = Annotated[
    str,
    BeforeValidator(_at_most_max_text_length),
    Field(
        json_schema_extra={"maxLength": MAX_TEXT_LENGTH},
        description=(
            f"Free text checked by the de-identification guard; at most {MAX_TEXT_LENGTH} "
            "characters (a line break counts as one)."
        ),
    ),
]
