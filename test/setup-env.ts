// In-process tests run quietly unless LOG_LEVEL is set; log assertions run the bundle in a child process.
process.env.LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'false';
