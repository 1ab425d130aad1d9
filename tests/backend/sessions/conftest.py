from tests.utils.sessions import backend

__all__ = ["backend"]
