"""The demo school (`flask demo`): a realistic school to show and try the journal."""
from demo.school import DEMO_LOGINS, build_demo_school

__all__ = ["DEMO_LOGINS", "build_demo_school"]
