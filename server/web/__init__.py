"""Request and response helpers, paging and templating shared by every route module."""
