"""REFI-QDA (QDA-XML 1.0) exchange: a neutral model, a reader and a writer; no Django here."""

from .archive import Limits
from .model import (
    NAMESPACE_CODEBOOK,
    NAMESPACE_PROJECT,
    Case,
    Code,
    Coding,
    Note,
    Project,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
    VariableType,
    VariableValue,
)
from .positions import Scheme
from .problems import Kind, Problem, QdaFileError
from .reader import ImportResult, read_any, read_qdc, read_qde, read_qdpx
from .writer import codebook_qdc, project_qde, write_qdpx

__all__ = [
    "NAMESPACE_CODEBOOK",
    "NAMESPACE_PROJECT",
    "Case",
    "Code",
    "Coding",
    "ImportResult",
    "Kind",
    "Limits",
    "Note",
    "Problem",
    "Project",
    "QdaFileError",
    "Scheme",
    "Selection",
    "Set",
    "TextSource",
    "User",
    "Variable",
    "VariableType",
    "VariableValue",
    "codebook_qdc",
    "project_qde",
    "read_any",
    "read_qdc",
    "read_qde",
    "read_qdpx",
    "write_qdpx",
]
