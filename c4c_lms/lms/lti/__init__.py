"""LTI 1.3 Advantage services the lecturer's commands use (no hub process involved): the tool's
keys, the OAuth2 service client, Names and Role Provisioning (roster) and Assignment and Grade
Services (grades back to the LMS gradebook)."""
