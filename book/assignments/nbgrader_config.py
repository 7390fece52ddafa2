"""nbgrader configuration of the seqlab assignments (this folder is the course root).

source/A1/A1.ipynb ... are the instructor versions (solutions between ### BEGIN SOLUTION /
### END SOLUTION, hidden tests between ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS);
release/ holds what ``nbgrader generate_assignment A1 --no-db --force`` makes of them.
"""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "seqlab"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# What students see where their code goes.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback must never show the hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]

# Executing a submission: generous per-cell limit, the notebooks run in seconds.
c.ExecutePreprocessor.timeout = 120
