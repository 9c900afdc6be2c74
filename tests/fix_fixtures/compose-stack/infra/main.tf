provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

resource "aws_instance" "ledger" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.small"
}
