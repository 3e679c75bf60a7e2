"""Work that uses both the models and the workspace: predicting into the workspace, and
(later) the background jobs that run training and prediction outside the app."""
