# The app on ECS Fargate: tasks in the private subnets, read-only root
# filesystem (writable task storage where the app writes), secrets from
# Secrets Manager, logs to CloudWatch, deploys rolled back when the new
# tasks never become healthy.
resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

resource "aws_ecs_cluster" "this" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  configuration {
    execute_command_configuration {
      kms_key_id = aws_kms_key.this.arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.app.name
      }
    }
  }
}

locals {
  image = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"

  secrets = [for name in local.secret_names : {
    name      = name
    valueFrom = aws_secretsmanager_secret.app[name].arn
  }]

  log_configuration = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.app.name
      awslogs-region        = data.aws_region.current.name
      awslogs-stream-prefix = local.name
    }
  }

  # The migrations run first in each task, from the same image; the app
  # container starts only when they succeeded.
  migrate_containers = [for command in [local.migrate_command] : {
    name                   = "migrate"
    image                  = local.image
    essential              = false
    command                = command
    secrets                = [for s in local.secrets : s if s.name == "DATABASE_URL"]
    readonlyRootFilesystem = true
    mountPoints            = [{ sourceVolume = "w0", containerPath = "/tmp", readOnly = false }]
    logConfiguration       = local.log_configuration
  } if length(command) > 0]

  app_container = {
    name         = "web"
    image        = local.image
    essential    = true
    portMappings = [{ containerPort = local.container_port, protocol = "tcp" }]
    environment  = [for k, v in local.environment : { name = k, value = v }]
    secrets      = local.secrets
    dependsOn    = [for c in local.migrate_containers : { containerName = c.name, condition = "SUCCESS" }]
    mountPoints = [for i, path in local.writable_paths : {
      sourceVolume  = "w${i}"
      containerPath = path
      readOnly      = false
    }]
    readonlyRootFilesystem = true
    logConfiguration       = local.log_configuration
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(concat(local.migrate_containers, [local.app_container]))

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Task storage for the folders the app writes (discarded with the task).
  dynamic "volume" {
    for_each = local.writable_paths
    content {
      name = "w${volume.key}"
    }
  }
}

resource "aws_ecs_service" "app" {
  name                              = local.name
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.app.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = "web"
    container_port   = local.container_port
  }

  depends_on = [aws_lb_listener.https]
}
