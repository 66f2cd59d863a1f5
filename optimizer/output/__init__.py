"""Where results go: folders written aside and swapped in (files.py), plans on disk
(plan_files.py), workbooks (excel.py), study folders (studies.py), case folders (cases.py),
the HTML report (report.py) and its charts (charts.py), labels and units (labels.py), and
the terminal (terminal.py). Takes plans and tables as they come; imports nothing of
results/."""
