"""ipskb: answers about the U.S. Coast Guard International Port Security Program,
from its own documents, with every sentence cited."""

from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.models import Answer, Chunk, Citation, Document, Hit
from kb.settings import Settings

__all__ = ["Answer", "Chunk", "Citation", "Document", "Hit", "KBError", "KnowledgeBase", "Settings"]
