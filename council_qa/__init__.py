"""council-qa: cited answers from local-government board papers."""

from council_qa.config import Settings

__all__ = ["Settings"]
__version__ = "0.1.0"
