"""officeclass: is a job posting front office, back office or hybrid?

>>> from officeclass import classify
>>> classify("Payroll officer: run monthly payroll and reconcile the general ledger.").label
'back_office'
"""

__version__ = "0.1.0"
