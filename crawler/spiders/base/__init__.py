"""What the spider and the CMS idioms share: the :class:`Link` a page yields."""
from .link import Link

__all__ = ["Link"]
