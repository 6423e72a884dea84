from config import Settings

settings = Settings.from_text('{"level": "info"}')
print(settings.log_path)
