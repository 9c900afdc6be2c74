class ProductsController < ApplicationController
  def index
    render plain: "products"
  end
end
