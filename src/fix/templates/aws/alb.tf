# The app's public entry point: HTTPS only (HTTP redirects), and a target
# group that sends traffic only to tasks whose readiness route answers 200.
resource "aws_lb" "app" {
  #checkov:skip=CKV_AWS_91:access logs need a bucket policy for the region's ELB log delivery; enable them with access_logs { bucket = … } once that bucket exists
  #checkov:skip=CKV2_AWS_28:a WAF web ACL is a product decision (rules, cost); attach one with aws_wafv2_web_acl_association
  name               = substr(local.name, 0, 32)
  load_balancer_type = "application"
  # The app's public entry point, by design (trivy's AVD-AWS-0053 warns of
  # accidental exposure); alb_ingress_cidrs limits who reaches it.
  #trivy:ignore:AVD-AWS-0053
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
}

resource "aws_lb_target_group" "app" {
  name_prefix          = "app-"
  port                 = local.container_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  # Readiness: the route checks the database and the cache within its own
  # timeouts, so a task that lost them stops getting traffic.
  health_check {
    path                = local.readiness_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
