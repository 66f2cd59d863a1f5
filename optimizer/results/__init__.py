"""What a verified solution says: the Plan and its tables (plan.py), the headline figures
(metrics.py), the security indicators (security.py)."""
