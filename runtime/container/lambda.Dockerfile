# The Lambda container image of the bundled MCP runtime: the Lambda handler of assets/lambda, nothing else.
#
# runtime/build.ts copies this file into assets/lambda/Dockerfile, which makes that folder the whole
# build context: CDK builds it at deploy time (`LambdaPackaging.bundledImage()`, for the function's
# architecture), so the image runs exactly the bundle the zip packaging ships. The bundle has no
# dependencies to install (the AWS SDK is bundled too), so nothing runs at build time.

# AWS's Node.js 22 base image for Lambda (the runtime the zip packaging uses, nodejs22.x): it holds
# the runtime interface client as its entry point, and is a multi-architecture image, so the
# build picks arm64 or x86_64 by the platform CDK asks for. Pulled from ECR Public: no Docker Hub
# limits at deploy time. The major line is pinned and the rest follows AWS's patch releases.
FROM public.ecr.aws/lambda/nodejs:22

# Each file the handler loads, named: the entry point, the modules it requires on first use and
# each backend's tools/list entries (read next to index.js). ${LAMBDA_TASK_ROOT} is /var/task,
# where the zip packaging unpacks the same files. Lambda runs the function as its own
# least-privileged user whatever the image says, and the file system is read-only but /tmp.
COPY index.js secrets.js ajv.js tracer.js jose.js ${LAMBDA_TASK_ROOT}/
COPY tools-*.json ${LAMBDA_TASK_ROOT}/

# The handler, as the zip packaging names it: `handler` of index.js.
CMD ["index.handler"]
