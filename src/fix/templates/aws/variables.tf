variable "aws_region" {
  description = "The AWS region to deploy to."
  type        = string
}

variable "vpc_id" {
  description = "The VPC the app runs in."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer (at least two availability zones)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks, the database and the cache: no route from the internet (at least two availability zones)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "The ACM certificate of the app's domain, for the HTTPS listener."
  type        = string
}

variable "alb_ingress_cidrs" {
  description = "Who may reach the load balancer: [\"0.0.0.0/0\"] for a public site, or a CDN's or an office's ranges."
  type        = list(string)
}

variable "app_egress_cidrs" {
  description = "Where the tasks may open HTTPS connections (the registry, Secrets Manager, CloudWatch, third-party APIs): [\"0.0.0.0/0\"] through a NAT gateway, or your VPC endpoints' ranges."
  type        = list(string)
}

variable "image_tag" {
  description = "The tag of the app's image in the ECR repository to deploy (tags are immutable: one per release)."
  type        = string
}

variable "desired_count" {
  description = "How many tasks serve the app (two or more keep it up through a deploy and a lost zone)."
  type        = number
  default     = 2
}

variable "task_cpu" {
  description = "CPU units per task (1024 = one vCPU)."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Memory per task, in MiB."
  type        = number
  default     = 1024
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the app's logs."
  type        = number
  default     = 365
}

variable "backup_retention_days" {
  description = "How long the off-site backups are kept in S3."
  type        = number
  default     = 35
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
