"""C4C Workbench: the course-in-a-box of "International Cooperation for Communities".

The package is layered; each layer imports only the layers listed for it (a test enforces
this, ``tests/unit/test_architecture.py``; see ``ARCHITECTURE.md``):

- ``core``     config, exceptions, i18n and message catalogues, romanisation, names, files: nothing of ours
- ``refdata``  the sourced reference tables and their checks: ``core``
- ``content``  pure domain logic (planner, budget, funding, partners, profile, calendar,
               programmes, documents): ``core``, ``refdata``; never ipywidgets or nbgrader
- ``widgets``  the only ipywidgets users (app kit, self-checks, module widgets, explorers):
               ``content``, ``refdata``, ``core``
- ``lms``      the nbgrader side (workspace, roster, release, submissions, feedback, export,
               serve, course check; ``lms/grading``: batch, outcomes, sandbox, runner): ``core``
- ``cohort``   attendance, completion, certificates, cohort data, report, privacy: ``lms``,
               ``refdata``, ``core``
- ``api``, ``cli``  the lecturer's functions and the ``c4c`` command: ``cohort``, ``lms``, ``core``

Importing this package has no side effects.
"""

__version__ = "0.1.0"
