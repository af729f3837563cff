"""The public credit information catalogue (Art. 10): departments, schemas and editions."""
